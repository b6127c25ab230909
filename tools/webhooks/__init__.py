"""One module per alert source, each with the same two functions: `verify` and `normalise`."""
