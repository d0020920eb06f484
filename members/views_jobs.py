"""Scheduled jobs for staff (/staff/jobs/): every periodic task, its last run and whether it is healthy."""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.utils import timezone

from config.celery import app
from members import jobs


@staff_member_required
def jobs_page(request):
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
