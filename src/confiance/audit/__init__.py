"""The audit trail service (layer 2): record, verify and show hash-chained audit events."""

from confiance.audit.log import AuditLog
from confiance.audit.verify import Tamper, VerifyReport, verify

__all__ = ["AuditLog", "Tamper", "VerifyReport", "verify"]
