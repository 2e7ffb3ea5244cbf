# Chronos in a container: the same binary and commands as on a laptop.
# docker-compose.yml beside this file runs a three-node cluster with it.
#
#   docker build -t chronos .
#   docker run --rm chronos --help

# Build stage: the Go version follows go.mod's go line (a test checks it).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/chronos ./cmd/chronos

# Run stage: a small Debian with the static binary, running as a user of
# its own; each node keeps its data in the /data volume (in /data/ID).
FROM debian:bookworm-slim
RUN useradd --system --home-dir /data --shell /usr/sbin/nologin chronos \
    && mkdir -p /data && chown chronos:chronos /data
COPY --from=build /out/chronos /usr/local/bin/chronos
USER chronos
WORKDIR /data
VOLUME /data
EXPOSE 8001 8002 8003
ENTRYPOINT ["chronos"]
CMD ["--help"]
