"""The harmonised outcome panel and attrition."""
