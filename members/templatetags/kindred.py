"""Presentation helpers shared by every template."""

from django import forms, template
from django.utils.safestring import mark_safe

from config.sanitize import render_markdown

register = template.Library()


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def bootstrap_widget(field):
    """Render a field's widget with Bootstrap's classes and its error state for screen readers."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{css} {widget.attrs.get('class', '')}".strip()}
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_helptext"
    return field.as_widget(attrs=attrs)


@register.filter
def markdown(source):
    """{{ campaign.story|markdown }}: a Markdown story as sanitised HTML."""
    return mark_safe(render_markdown(source))  # noqa: S308 - render_markdown cleans with nh3
