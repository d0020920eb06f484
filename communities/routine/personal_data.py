"""What the manager's routine forgets when a person deletes their account (registered in RoutineConfig.ready()).

Check-in entries and call-to-action responses about the person go with their membership (they
cascade); mentions of them in others' entries and in calls to action are scrubbed.
"""

from members.services import personal_text

personal_text("routine.CheckinEntry", "details")
personal_text("routine.CallToAction", "title", "body")
