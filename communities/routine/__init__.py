"""The manager's routine: the check-in queue, onboarding e-mails, weekly digests, monthly reports,
calls to action and the message centre."""
