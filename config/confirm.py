"""One confirmation step for every destructive or mass action: the page says what will happen first.

A view calls `confirm_page(...)` unless `is_confirmed(request)`; the page re-posts the form's fields
with `confirmed=1` (and, for messages, can post `test=1` to send only to the person asking).
"""

from django.shortcuts import render


def is_confirmed(request):
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def wants_test(request):
    """The "send me a test" button of a confirmation page was pressed."""
    return request.method == "POST" and request.POST.get("test") == "1"


def confirm_page(request, *, title, effects, button, back, fields=(), preview="", test_button="", danger=True):
    """The confirmation page. `effects`: sentences (str) saying who is affected and how; `fields`: names
    of POST fields to send again; `preview`: safe HTML of what will be sent; `back`: URL to cancel."""
    confirm = {
        "title": title,
        "effects": effects,
        "button": button,
        "danger": danger,
        "action": request.path,
        "fields": [(name, value) for name in fields for value in request.POST.getlist(name)],
        "back": back,
        "preview": preview,
        "test_button": test_button,
    }
    return render(request, "confirm.html", {"confirm": confirm})
