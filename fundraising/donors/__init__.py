"""Donors as people for managers: every donor of a community (or of the organisation, for staff),
guest or signed in, merged by their lower-cased e-mail, with history, recurring status and figures."""
