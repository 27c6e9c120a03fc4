"""StrokeScope: CPU-only acute stroke CT analysis.

Research use only, not for diagnosis. The shipped models were trained on digital phantoms
and have not been validated on patients.

No telemetry: onnxruntime (>= 1.29) creates a device id and a usage store under the user's
home and uploads usage events unless told not to before it is first imported. Importing
StrokeScope sets its documented opt-out variables (``ORT_DISABLE_TELEMETRY``, and
``ORT_TELEMETRY_DISABLED`` that later releases read), so the switch is in place before any
module of the package can import onnxruntime; a value the user set is kept.
"""

import os

for _name in ("ORT_DISABLE_TELEMETRY", "ORT_TELEMETRY_DISABLED"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"

RESEARCH_ONLY = "Research use only, not for diagnosis."
PHANTOM_TRAINED = (
    "The thrombus models are trained on digital phantoms only, not validated on patients."
)
