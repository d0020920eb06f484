"""Money and sharing in templates."""

from urllib.parse import quote

from django import template

from fundraising.money import money_format

register = template.Library()


@register.filter
def money(amount, currency):
    """{{ campaign.raised_amount|money:campaign.currency }} in the current language."""
    return money_format(amount, currency)


@register.inclusion_tag("fundraising/_share.html")
def share_links(url, title):
    text = quote(title)
    link = quote(url, safe="")
    return {
        "url": url,
        "telegram": f"https://t.me/share/url?url={link}&text={text}",
        "vk": f"https://vk.com/share.php?url={link}&title={text}",
        "whatsapp": f"https://wa.me/?text={text}%20{link}",
        "email": f"mailto:?subject={text}&body={link}",
    }


@register.inclusion_tag("fundraising/_progress.html")
def progress(obj, currency):
    return {"obj": obj, "currency": currency, "percent": obj.progress_percent}


@register.filter
def initials(text):
    words = [w for w in str(text).split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "K"
