"""What the readers that use PDFium share: the one lock around it.

PDFium is not thread-safe: every call into it (the PDF reader, rendering scans for OCR,
the page images the app shows) holds :data:`PDFIUM_LOCK`.

Source: issue 5 (OCR renders pages); issue 10 (no private names across extract modules).
"""

from __future__ import annotations

import threading

#: Held around every call into PDFium, in every thread of the process.
PDFIUM_LOCK = threading.Lock()
