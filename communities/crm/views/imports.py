"""CSV import of members, for a community's managers: /c/<slug>/manage/import/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.crm import imports
from communities.crm.forms import ImportUploadForm
from communities.crm.models import MemberImport
from communities.crm.services import imports as import_services
from communities.selectors import community_for_manager
from communities.services import CommunityError
from members.services import MemberError


def _import_for_manager(request, slug, pk):
    community = community_for_manager(request.user, slug)
    return get_object_or_404(MemberImport.objects.select_related("community"), pk=pk, community=community)


REPORT_ROWS = 500


def _report_context(member_import):
    skipped = [
        (item["row"], item["email"], [imports.reason_text(error) for error in item["errors"]])
        for item in member_import.errors[:REPORT_ROWS]
    ]
    return {"tab": "import", "skipped": skipped, "skipped_more": max(0, len(member_import.errors) - REPORT_ROWS)}


@login_required
def import_start(request, slug):
    community = community_for_manager(request.user, slug)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            member_import = import_services.member_import_create(
                community=community, actor=request.user, file_name=upload.name, raw=upload.read()
            )
        except (MemberError, CommunityError) as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("member_import:detail", slug=slug, pk=member_import.pk)
    recent = MemberImport.objects.filter(community=community).select_related("uploaded_by")[:10]
    context = {"community": community, "form": form, "imports": recent, "tab": "import"}
    return render(request, "members/import_start.html", context)


@login_required
def import_detail(request, slug, pk):
    member_import = _import_for_manager(request, slug, pk)
    preview = None
    if member_import.status == MemberImport.Status.PREVIEW:
        preview = imports.import_preview(member_import)
    context = {"community": member_import.community, "member_import": member_import, "preview": preview}
    return render(request, "members/import_detail.html", {**context, **_report_context(member_import)})


@login_required
def import_progress(request, slug, pk):
    """The progress bar and, once done, the report: polled by htmx every second."""
    member_import = _import_for_manager(request, slug, pk)
    context = {"community": member_import.community, "member_import": member_import}
    return render(request, "members/import_detail.html#status", {**context, **_report_context(member_import)})


@login_required
@require_POST
def import_confirm(request, slug, pk):
    member_import = _import_for_manager(request, slug, pk)
    try:
        import_services.member_import_confirm(member_import=member_import, by=request.user)
    except (MemberError, CommunityError) as exc:
        messages.error(request, str(exc))
    return redirect("member_import:detail", slug=slug, pk=pk)


@login_required
@require_POST
def import_cancel(request, slug, pk):
    member_import = _import_for_manager(request, slug, pk)
    try:
        import_services.member_import_cancel(member_import=member_import, actor=request.user)
    except (MemberError, CommunityError) as exc:
        messages.error(request, str(exc))
        return redirect("member_import:detail", slug=slug, pk=pk)
    messages.success(request, _("The import is cancelled; nobody was added."))
    return redirect("member_import:start", slug=slug)
