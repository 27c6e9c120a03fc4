"""Arterial tree on CTA: centerlines, TopCoW labels, contrast profiles, clot burden score."""
