"""StrokeScope: CPU-only acute stroke CT analysis.

Research use only, not for diagnosis. The shipped models were trained on digital phantoms
and have not been validated on patients.
"""

__version__ = "0.1.0"

RESEARCH_ONLY = "Research use only, not for diagnosis."
