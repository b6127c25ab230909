"""The second reader: an alert that reads like the labelled P0s is raised to an uncertain P0."""

from agents.cto.resemblance.look import second_look

__all__ = ["second_look"]
