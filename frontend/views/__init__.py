"""The website's views, a module per area; frontend/urls.py names each."""
