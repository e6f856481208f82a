"""The JSON API, ``/api/v1``: the same permissions, services and workflow as the web pages."""
