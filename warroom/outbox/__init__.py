"""The outbox: every external side effect as a row, sent once by the worker."""
