# rocketd image: mqnamesrv and mqbroker, static, running as a non-root user.
#   docker build -t rocketd .                 (or: make docker-check, which also runs --version in it)
#   docker compose up                         (compose.yaml: a name server and a broker)
# The build stage downloads the Go modules; the image needs no network at run time.

# The Go release must be at least go.mod's go line.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/rocketd/rocketd/ops.version=${VERSION} -X github.com/rocketd/rocketd/ops.commit=${COMMIT}" \
      -o /out/bin/mqnamesrv ./bin/mqnamesrv \
 && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/rocketd/rocketd/ops.version=${VERSION} -X github.com/rocketd/rocketd/ops.commit=${COMMIT}" \
      -o /out/bin/mqbroker ./bin/mqbroker \
 && mkdir -p /out/home/rocketmq/store /out/home/rocketmq/namesrv /out/home/rocketmq/conf /out/home/rocketmq/logs \
 && cp conf/docker/broker.conf conf/docker/namesrv.properties /out/home/rocketmq/conf/ \
 && echo 'rocketmq:x:3000:3000:rocketmq:/home/rocketmq:/sbin/nologin' > /out/passwd \
 && echo 'rocketmq:x:3000:' > /out/group

FROM scratch
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
COPY --from=build --chown=3000:3000 /out/home /home
COPY --from=build /out/bin/ /usr/local/bin/
ENV PATH=/usr/local/bin HOME=/home/rocketmq
USER 3000:3000
WORKDIR /home/rocketmq
# store: the broker's storePathRootDir; namesrv: the name server's kvConfig; conf: broker.conf and
# namesrv.properties (UPDATE_BROKER_CONFIG writes back into broker.conf).
VOLUME ["/home/rocketmq/store", "/home/rocketmq/namesrv", "/home/rocketmq/conf"]
# 9876 name server; 10911 broker; 10909 broker VIP channel (listenPort-2); 10912 HA (listenPort+1, advertised
# to slaves); 9877/9878 the monitoring listeners compose.yaml turns on.
EXPOSE 9876 10909 10911 10912
CMD ["mqbroker", "-c", "/home/rocketmq/conf/broker.conf"]
