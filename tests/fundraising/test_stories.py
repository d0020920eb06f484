"""Stories and updates are Markdown: what the author types is kept, shown as safe HTML."""

import pytest
from django.urls import reverse

from config.sanitize import html_to_markdown, render_markdown
from fundraising.models import Campaign

pytestmark = pytest.mark.django_db

STORY = "First paragraph with a link: https://example.org/report\n\nSecond **paragraph**.\n- one\n- two"


def test_markdown_keeps_paragraphs_links_and_lists():
    html = render_markdown(STORY)

    assert html.count("<p>") == 2
    assert '<a href="https://example.org/report" rel="noopener noreferrer nofollow">' in html
    assert "<strong>paragraph</strong>" in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "source",
    ["<script>alert(1)</script>", '<img src="x" onerror="alert(1)">', "[click](javascript:alert(1))"],
)
def test_markdown_drops_scripts_handlers_and_script_links(source):
    html = render_markdown(source)

    assert "script" not in html.replace("javascript", "")
    assert "onerror" not in html
    assert 'href="javascript' not in html


def test_stories_stored_as_html_become_markdown_that_renders_the_same():
    stored = '<p>We help <strong>100 families</strong>. <a href="https://x.org">Report</a></p><ul><li>a</li></ul>'

    markdown = html_to_markdown(stored)

    assert markdown == "We help **100 families**. [Report](https://x.org)\n\n- a"
    assert render_markdown(markdown).startswith(
        '<p>We help <strong>100 families</strong>. <a href="https://x.org" rel="noopener noreferrer nofollow">'
    )


def test_the_campaign_page_shows_the_story_with_paragraphs_and_links(client, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(story=STORY)

    page = client.get(campaign.get_absolute_url()).content.decode()

    assert '<a href="https://example.org/report"' in page
    assert "<p>Second <strong>paragraph</strong>.</p>" in page
    assert "**" not in page


def test_a_new_fundraiser_starts_from_the_campaigns_story_as_text(client, campaign, owner):
    Campaign.objects.filter(pk=campaign.pk).update(story=STORY)
    client.force_login(owner)

    page = client.get(reverse("fundraising:fundraiser_open", args=[campaign.slug])).content.decode()

    assert "First paragraph with a link: https://example.org/report\n\nSecond **paragraph**." in page
    assert "&lt;p&gt;" not in page


def test_money_fields_show_the_currency_in_both_languages(client, campaign, owner):
    client.force_login(owner)
    url = reverse("fundraising:fundraiser_open", args=[campaign.slug])

    owner.language = "en"
    owner.save(update_fields=["language"])
    english = client.get(url).content.decode()
    owner.language = "ru"
    owner.save(update_fields=["language"])
    russian = client.get(url).content.decode()

    assert '<span class="input-group-text">RUB</span>' in english
    assert '<span class="input-group-text">₽</span>' in russian
