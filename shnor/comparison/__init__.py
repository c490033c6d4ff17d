"""Fair comparison (SPEC §4.10): statistically similar schools, suggested partner schools,
funnel plots of the share of «2» against participants."""
