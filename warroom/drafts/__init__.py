"""Customer comms drafts and the approval decisions on them."""
