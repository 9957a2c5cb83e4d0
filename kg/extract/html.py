"""An article saved as a web page, reduced to its main text for ``kg extract --html``.

A page holds menus, captions, links to other stories and cookie notices around the article;
trafilatura (an optional extra: ``pip install -e '.[html]'``) finds the article itself by its
structure, offline and without models. It is imported only here, when a page is given.
"""

from __future__ import annotations

from kg.errors import KgError


def main_text(html: str) -> str:
    """The article text of a web page: its title, then its paragraphs, a blank line between.

    Examples
    --------
    >>> page = "<html><head><title>Talks resume</title></head><body><nav>Home | World</nav><article>"
    >>> page += "<h1>Talks resume</h1><p>Talks between Armenia and Azerbaijan resumed on Tuesday in a "
    >>> page += "Kazakh resort, officials of both sides said.</p></article></body></html>"
    >>> print(main_text(page))
    Talks resume
    <BLANKLINE>
    Talks between Armenia and Azerbaijan resumed on Tuesday in a Kazakh resort, officials of both sides said.
    """
    try:
        import trafilatura  # an optional extra, heavy to import: only when a page is read
    except ImportError:
        raise KgError("reading HTML needs trafilatura: pip install -e '.[html]' (or pip install trafilatura)") from None
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text:
        raise KgError("found no article text in this page")
    metadata = trafilatura.extract_metadata(html)
    title = getattr(metadata, "title", None)
    paragraphs = [line for line in text.splitlines() if line.strip()]
    if title and paragraphs[0] != title:
        paragraphs.insert(0, title)
    return "\n\n".join(paragraphs)  # a blank line ends a sentence however short the lines
