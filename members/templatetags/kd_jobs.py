from django import template

from members import jobs

register = template.Library()


@register.simple_tag(takes_context=True)
def jobs_alert(context):
    """How many scheduled jobs are overdue or failing; 0 for anyone but staff (cached, no query per page)."""
    user = context.get("user")
    if user is None or not getattr(user, "is_staff", False):
        return 0
    return jobs.jobs_alert()
