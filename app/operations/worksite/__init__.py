"""What a worker does, shared by every door (the worker JSON API, the worker website, the CLI and the
simulated workforce). See the modules:

- accounts:  sign-up, passwords, invite codes, one-time sign-in links
"""
