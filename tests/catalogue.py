"""Spanish words a test needs before the catalogue holds them: put into the loaded Spanish
catalogue for the test's length (the live server's thread reads the same one), then taken out."""

from contextlib import contextmanager


@contextmanager
def spanish_words(words: dict[str, str]):
    """``words``: msgid (``context\\x04msgid`` for a ``pgettext`` one) -> the Spanish to show."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation("es")._catalog
    kept = {key: catalog.get(key) for key in words}
    for key, word in words.items():
        catalog[key] = word
    try:
        yield
    finally:
        for key, word in kept.items():
            for part in catalog._catalogs:
                part.pop(key, None)
            if word is not None:
                catalog[key] = word
