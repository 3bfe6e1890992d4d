# Digits in a container, in the Vapor template's shape: build in the Swift image, run on a
# slim one with only what the binary links. UNTESTED: there is no Docker engine where this was
# written (docs/deployment.md).
#
#   docker build -t digits .
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://… -e MNIST_DIR=/data -v /path/to/mnist:/data digits

# ================================
# Build image
# ================================
FROM swift:6.3-noble AS build
RUN export DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical \
    && apt-get -q update \
    && apt-get -q install -y libpng-dev libdeflate-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Dependencies first, so that a change to the code alone reuses this layer.
COPY ./Package.* ./
COPY ./Core/Package.swift ./Core/
RUN swift package resolve
COPY . .
# Portable: without DIGITS_PORTABLE, Core/Package.swift compiles the kernels for the building
# machine's AVX2 and FMA, and the image would die of an illegal instruction on a host without them.
ENV DIGITS_PORTABLE=1
RUN swift build -c release --product digits --static-swift-stdlib
WORKDIR /staging
RUN cp "$(swift build --package-path /build -c release --show-bin-path)/digits" ./ \
    && find -L "$(swift build --package-path /build -c release --show-bin-path)/" -regex '.*\.resources$' -exec cp -Ra {} ./ \;

# ================================
# Run image
# ================================
FROM ubuntu:noble
RUN export DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical \
    && apt-get -q update \
    && apt-get -q install -y ca-certificates tzdata libpng16-16t64 libdeflate0 zlib1g libcurl4t64 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --user-group --create-home --system --skel /dev/null --home-dir /app digits
WORKDIR /app
COPY --from=build --chown=digits:digits /staging /app
USER digits:digits
# The SQLite file and the admin token file, when those are used, live here.
VOLUME /app/var
WORKDIR /app/var
EXPOSE 8080
ENTRYPOINT ["/app/digits"]
CMD ["serve", "--hostname", "0.0.0.0", "--port", "8080"]
