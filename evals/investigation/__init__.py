"""The investigation case suite: incidents with a known cause, the evidence a fake world serves, and grading."""
