"""Scheduled jobs for staff (/staff/jobs/): every periodic task, its last run and whether it is healthy."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from config.celery import app
from members import jobs


@login_required
def jobs_page(request):
    # The site's own 403 for signed-in people who are not staff, not Django admin's English login.
    if not request.user.is_staff:
        raise PermissionDenied("Scheduled jobs are for staff.")
    statuses = jobs.jobs_status()
    unhealthy = sum(1 for status in statuses if not status.healthy)
    context = {
        "notes": jobs.job_notes_recent(),
        "statuses": statuses,
        "unhealthy": unhealthy,
        "now": timezone.now(),
        "schedule_zone": app.conf.timezone,
    }
    return render(request, "members/jobs.html", context)
