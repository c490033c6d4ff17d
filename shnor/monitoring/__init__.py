"""Monitoring of the programme (SPEC §4.8; seeds 000–004): lists over the years, targets,
dynamics, task indicators, programme points, risk profiles and their change, staff, roadmap
execution, and the tables the school cards read."""
