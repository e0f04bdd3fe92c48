"""Paper and offline delivery (R7.3): a PDF and an offline copy of each course and language.

`build_paper` runs inside `oqu build` when `site_config.yml` enables it (`paper:`); `course_pdf`
is `oqu pdf`. The PDF is our own print HTML (`document.py`) rendered by WeasyPrint (`pdf.py`);
the offline copy is the course's MkDocs project built for `file://` and zipped (`offline.py`).
"""

from builder.paper.build import Download, PaperResult, build_paper, course_pdf

__all__ = ["Download", "PaperResult", "build_paper", "course_pdf"]
