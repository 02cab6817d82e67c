"""Documents a decision produces, and the rules they obey (issue 12, items 1–3 and 5).

- :mod:`classifier.documents.rules`: pure rules with no database — the law's longest periods,
  :func:`~classifier.documents.rules.check_period`, 定密权限, when the leading group must
  decide, register numbers and the end of a period.
- :mod:`classifier.documents.marks`: the marks a copy carries (GB/T 9704-2012 §7.2.1–7.2.2)
  and :func:`~classifier.documents.marks.mark_copy`, which writes them into a copy of a DOCX
  (:mod:`~classifier.documents.stamp_docx`) or a PDF (:mod:`~classifier.documents.stamp_pdf`).
- :mod:`classifier.documents.approval_form`: the 定密审批表 as DOCX.

The package sits beside the engine: it imports only ``catalogue``, ``errors`` and ``config``,
and nothing below it imports it. Nothing is imported here, so that ``import classifier.documents``
costs nothing (reportlab and pypdf load only when a PDF is stamped).
"""
