"""The member directory, the contact log and CSV imports of members: what a manager knows about each person."""
