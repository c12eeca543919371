"""The XML statement formats (CAMT, OFX 2.x) read through defusedxml, namespaces dropped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from finora.services.imports.rows import ImportFileError
from finora.translation import gettext as _


def read_xml(data: bytes, damaged: Callable[[object], str]) -> ET.Element:
    """The document's root with every element's namespace removed (versions of a format
    differ by namespace, not by element names). A DTD, an entity or an external reference
    (an XML bomb, XXE) is refused before anything expands; `damaged(line)` words the error
    for a file that breaks off."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise ImportFileError(
            _(
                "This XML file declares a document type or entities, which bank statements never do: it was refused."
            )
        ) from error
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else "?"
        raise ImportFileError(damaged(line)) from error
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
    return root
