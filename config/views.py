from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from config import health


def home(request):
    return render(request, "home.html")


@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)
