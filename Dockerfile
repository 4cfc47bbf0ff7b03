# Kempelen in a container: non-root, data on a volume, listening on all interfaces.
# The development credentials are off here (the server refuses a public address while they are on):
# create a requester with `docker exec <container> kempelen requester create` and set KEMPELEN_ADMIN_TOKEN.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    KEMPELEN_DATA_DIR=/data \
    KEMPELEN_DEVELOPMENT_CREDENTIALS=off

RUN useradd --system --create-home --home-dir /srv/kempelen kempelen \
 && mkdir -p /data && chown kempelen:kempelen /data

WORKDIR /srv/kempelen
COPY pyproject.toml setup.py README.md ./
COPY app ./app
COPY migrations ./migrations
# The installed package carries everything, migrations included: the sources go once it is built.
RUN pip install --no-cache-dir . && rm -rf app migrations build *.egg-info && chown -R kempelen:kempelen /srv/kempelen

USER kempelen
VOLUME ["/data"]
EXPOSE 8000
# ready: the database answers at the schema this server needs (compose and orchestrators wait on it)
HEALTHCHECK --interval=5s --start-period=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/_kempelen/ready')"
CMD ["kempelen", "serve", "--host", "0.0.0.0", "--port", "8000"]
