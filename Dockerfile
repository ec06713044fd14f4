# syntax=docker/dockerfile:1
#
# bcqb in a container: docker build -t bcqb . && docker run -p 8080:8080 -v bcqb-data:/data bcqb
#
# Build stage: the Debian golang image has gcc and the static glibc that
# mattn/go-sqlite3 (cgo) needs. The tags make the binary fully static:
# netgo and osusergo replace the glibc resolver and user lookups (which glibc
# cannot link statically), sqlite_omit_load_extension drops SQLite's dlopen.
FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=1
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# docker build --build-arg BCQB_VERSION=1.2.3 stamps app.Version; unset, the
# version in the source stands.
ARG BCQB_VERSION
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath \
      -tags 'osusergo netgo sqlite_omit_load_extension' \
      -ldflags "-s -w ${BCQB_VERSION:+-X github.com/bcqb/bcqb/app.Version=${BCQB_VERSION}} -extldflags '-static'" \
      -o /out/bcqb . \
 && if readelf -l /out/bcqb | grep -q 'program interpreter'; then \
      echo 'bcqb is dynamically linked; the distroless image cannot run it' >&2; exit 1; \
    fi \
 && mkdir -p /out/data

# Final stage: distroless static has CA certificates (for BigCommerce's API),
# tzdata, /etc/passwd with the nonroot user (65532) and no shell.
FROM gcr.io/distroless/static:nonroot
LABEL org.opencontainers.image.title="bcqb" \
      org.opencontainers.image.description="BigCommerce to QuickBooks Desktop through the QuickBooks Web Connector"
COPY --from=build /out/bcqb /bcqb
# The volume starts with this folder's owner, so the non-root user can write
# the database and the TLS files into a fresh named volume.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV BCQB_DATA=/data BCQB_ADDR=:8080
VOLUME /data
EXPOSE 8080
# No curl in distroless: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["/bcqb", "healthcheck"]
ENTRYPOINT ["/bcqb"]
CMD ["serve"]
