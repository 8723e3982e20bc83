"""Safeguard: joins what police and safeguarding partners know about children, and makes sure someone acts."""
