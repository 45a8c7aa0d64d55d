"""The model card as safe HTML (jobs.reporting.card_html) and the portal's card page:
rendered with its plots inline, hostile Markdown inert, the front matter shown apart and
escaped, copy and download of the stored Markdown."""

from html.parser import HTMLParser

import pytest
import yaml

from jobs import reports
from jobs.models import ModelCard
from jobs.reporting.card import render_model_card
from jobs.reporting.card_html import render_card_html, sanitise, split_front_matter
from jobs.reporting.compare import compare_runs
from jobs.reporting.plots import PLOT_NAMES
from jobs.reporting.pricing import PriceSettings
from tests.reporting.factories import make_run
from tests.sharing.factories import stored_job


class Elements(HTMLParser):
    """Every start tag of an HTML fragment with its attributes, as a browser parses it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def assert_inert(html: str) -> None:
    elements = Elements(html)
    names = {name for name, _ in elements.tags}
    assert names.isdisjoint({"script", "style", "iframe", "object", "embed", "form", "svg"})
    for name, attrs in elements.tags:
        assert not [key for key in attrs if key.startswith("on")], (name, attrs)
        assert set(attrs) <= {"href", "src", "alt", "title", "rel", "start"}, (name, attrs)
        for key in ("href", "src"):
            if key in attrs:
                assert attrs[key].startswith(("https://", "http://", "/api/v1/jobs/")), attrs


def real_card(run_id: int = 12) -> str:
    run = make_run(id=run_id)
    baseline = make_run(id=run_id + 1, baseline=True)
    card = render_model_card(run, compare_runs(run, baseline, PriceSettings()))
    return card.markdown


def test_a_real_card_renders_headings_tables_badges_and_its_plots_inline():
    rendered = render_card_html(real_card(12), job_id=12, artifact_names=PLOT_NAMES)
    elements = Elements(rendered.html)
    assert len(elements.named("h1")) == 1
    assert "<h2>Sustainability report</h2>" in rendered.html
    assert len(elements.named("table")) >= 2 and "<th>measure</th>" in rendered.html
    images = {attrs["src"]: attrs["alt"] for attrs in elements.named("img")}
    assert images["/api/v1/jobs/12/artifacts/accuracy.png"] == "Validation accuracy per epoch"
    assert '<img src="/api/v1/jobs/12/artifacts/accuracy.png"' in rendered.html
    assert {f"/api/v1/jobs/12/artifacts/{name}" for name in PLOT_NAMES} <= set(images)
    badges = [src for src in images if src.startswith("https://img.shields.io/badge/")]
    assert len(badges) == 4
    assert "<pre><code" in rendered.html  # the reproduction config
    assert_inert(rendered.html)


def test_the_front_matter_is_shown_apart_not_rendered_as_markdown():
    markdown = real_card(12)
    rendered = render_card_html(markdown, job_id=12, artifact_names=PLOT_NAMES)
    meta = yaml.safe_load(rendered.metadata)
    assert meta["library_name"] == "pytorch" and "co2_eq_emissions" in meta
    assert markdown.startswith(f"---\n{rendered.metadata}---\n")
    # Rendered as Markdown, "key: value" lines closed by "---" would be a setext heading.
    assert "co2_eq_emissions" not in rendered.html and "library_name" not in rendered.html
    assert rendered.html.lstrip().startswith("<h1>")


def test_split_front_matter_edges():
    assert split_front_matter("# No metadata\n") == (None, "# No metadata\n")
    assert split_front_matter("---\n---\n# Empty\n") == ("", "# Empty\n")
    assert split_front_matter("---\na: 1\n---") == ("a: 1\n", "")
    # A thematic break later in the text is not front matter.
    assert split_front_matter("# T\n\n---\na: 1\n---\n")[0] is None


HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](<javascript:alert(1)>)",
    "![x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="javascript:alert(1)" onclick="alert(2)">x</a>',
    "<style>body{display:none}</style>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](//evil.example/x.png)",
    "[x](/portal/jobs/1/cancel/)",
    "![x](/api/v1/jobs/99/artifacts/accuracy.png)",
    "![x](../../accuracy.png)",
    "[x](accuracy.png?download=1)",
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_comes_out_inert(markdown):
    html = render_card_html(f"# Card\n\n{markdown}\n", job_id=7, artifact_names=PLOT_NAMES).html
    assert_inert(html)
    elements = Elements(html)
    # Nothing above names a web URL or one of job 7's artifacts: no link or image survives.
    assert elements.named("a") == [] and elements.named("img") == []


def test_raw_html_is_text_not_markup():
    html = render_card_html(
        "<img src=x onerror=alert(1)>\n\n<b>bold</b>", job_id=7, artifact_names=()
    ).html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_sanitiser_alone_holds_the_allow_list():
    html = sanitise(
        '<h2 id="x" onclick="alert(1)">T</h2><script>alert(1)</script>'
        '<iframe src="https://evil.example"></iframe><style>p{}</style>'
        '<a href="javascript:alert(1)">js</a><a href="/portal/jobs/3/cancel/">own</a>'
        '<a href="https://example.com" target="_blank">web</a>'
        '<img src="x" onerror="alert(1)"><img src="/api/v1/jobs/3/artifacts/a.png" alt="a">'
        '<img src="/api/v1/jobs/4/artifacts/a.png"><table><tr><td style="color:red">1</td></tr>'
        "</table>",
        job_id=3,
    )
    assert_inert(html)
    assert "alert(1)" not in html and "p{}" not in html
    elements = Elements(html)
    assert elements.named("h2") == [{}]
    assert elements.named("a") == [
        {"rel": "noopener noreferrer nofollow"},
        {"rel": "noopener noreferrer nofollow"},
        {"href": "https://example.com", "rel": "noopener noreferrer nofollow"},
    ]
    assert elements.named("img") == [{}, {"src": "/api/v1/jobs/3/artifacts/a.png", "alt": "a"}, {}]
    assert elements.named("td") == [{}]


def test_relative_targets_that_are_not_artifacts_are_dropped_keeping_their_text():
    html = render_card_html(
        "[notes](notes.md) ![Loss curve](loss.png) ![Accuracy](./accuracy.png) "
        "[web](https://example.com/a?b=1)",
        job_id=5,
        artifact_names=["accuracy.png"],
    ).html
    assert "notes" in html and "Loss curve" in html
    elements = Elements(html)
    assert elements.named("img") == [
        {"src": "/api/v1/jobs/5/artifacts/accuracy.png", "alt": "Accuracy"}
    ]
    assert elements.named("a") == [
        {"href": "https://example.com/a?b=1", "rel": "noopener noreferrer nofollow"}
    ]


# --- The portal page --------------------------------------------------------------------


def _card_page(client, job):
    return client.get(f"/portal/jobs/{job.pk}/card/")


def _rendered_part(page: str) -> str:
    start = page.index('id="card-rendered">') + len('id="card-rendered">')
    return page[start : page.index("</article>", start)]


@pytest.mark.django_db
def test_the_card_page_shows_the_card_rendered_with_plots_metadata_and_actions(client, alice):
    job = stored_job(alice)
    card = reports.create_model_card(user=alice, run_id=job.pk, template="research")
    client.force_login(alice)
    page = _card_page(client, job).content.decode()
    rendered = _rendered_part(page)
    assert "<h2>Sustainability report</h2>" in rendered and "<table>" in rendered
    plot = f'<img src="/api/v1/jobs/{job.pk}/artifacts/accuracy.png"'
    assert plot in rendered
    assert "co2_eq_emissions" not in rendered
    # The plot's URL is the run's real artifact, served to its owner.
    served = client.get(f"/api/v1/jobs/{job.pk}/artifacts/accuracy.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    # The front matter, escaped, in its own collapsible block.
    assert "<summary>Metadata (YAML)</summary>" in page
    meta_block = page[page.index('<pre id="card-metadata">') :]
    assert "co2_eq_emissions:" in meta_block[: meta_block.index("</pre>")]
    # The raw card stays on the page for the copy button, and the download link.
    assert 'data-copy="card-markdown"' in page and 'id="card-markdown"' in page
    assert f'href="/portal/jobs/{job.pk}/card/?download=README.md"' in page
    assert 'value="research" selected' in page  # the template selector is kept
    assert card.template == "research"


@pytest.mark.django_db
def test_a_hostile_stored_card_is_inert_on_the_page_and_its_metadata_escaped(client, alice):
    job = stored_job(alice)
    ModelCard.objects.create(
        job=job,
        template="standard",
        markdown="---\nname: </pre><script>alert(1)</script>\n---\n# Card\n\n"
        + "\n\n".join(HOSTILE)
        + "\n",
    )
    client.force_login(alice)
    page = _card_page(client, job).content.decode()
    assert_inert(_rendered_part(page))
    assert "<script>alert(1)</script>" not in page
    assert "name: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_download_answers_the_stored_markdown_as_an_attachment(client, alice):
    job = stored_job(alice)
    markdown = "---\nlicense: mit\n---\n# Über <b>card</b>\r\n\n![p](accuracy.png)\n"
    ModelCard.objects.create(job=job, template="standard", markdown=markdown)
    client.force_login(alice)
    response = client.get(f"/portal/jobs/{job.pk}/card/?download=README.md")
    assert response.status_code == 200
    assert response.content == markdown.encode("utf-8")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="README.md"'


@pytest.mark.django_db
def test_download_without_a_card_is_404(client, alice):
    job = stored_job(alice)
    client.force_login(alice)
    assert client.get(f"/portal/jobs/{job.pk}/card/?download=README.md").status_code == 404
    assert "No card yet." in _card_page(client, job).content.decode()


@pytest.mark.django_db
def test_another_users_card_page_and_download_are_404(client, alice, bob):
    job = stored_job(alice)
    ModelCard.objects.create(job=job, template="standard", markdown="# Alice's card\n")
    client.force_login(bob)
    page = _card_page(client, job)
    assert page.status_code == 404 and "Alice" not in page.content.decode()
    download = client.get(f"/portal/jobs/{job.pk}/card/?download=README.md")
    assert download.status_code == 404 and b"Alice" not in download.content
