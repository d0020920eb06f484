from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from config.net import client_ip
from members import services


class AccountAdapter(DefaultAccountAdapter):
    """Route allauth's e-mails through the message ledger, in the recipient's language."""

    def send_mail(self, template_prefix, email, context):
        user = services.user_find_by_email(email)
        language = services.recipient_language(user=user)
        # allauth's own send_mail adds the site; its texts say "on {{ site_domain }}".
        context = {"current_site": this_site(), "email": email, **context}
        with translation.override(language):
            rendered = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(rendered, "alternatives", []) if mime == "text/html"), "")
        text = rendered.body if rendered.content_subtype == "plain" else ""
        services.message_queue(
            key=services.unique_key(f"account:{template_prefix.rsplit('/', 1)[-1]}"),
            to_email=email,
            user=user,
            language=language,
            template=template_prefix,
            subject=rendered.subject,
            body_text=text,
            body_html=html or (rendered.body if not text else ""),
        )

    def get_client_ip(self, request):
        """The address allauth's rate limits count by: the one ``config.net.client_ip`` gives."""
        return client_ip(request) or super().get_client_ip(request)


def this_site():
    """The deployment as allauth's templates name it: the organisation, at SITE_URL's host."""
    return SimpleNamespace(name=settings.ORGANISATION_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def axes_username(request, credentials):
    """The address a sign-in attempt was for: allauth passes it as `email`, its form as `login`."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("login", "")
    return value.strip().lower()
