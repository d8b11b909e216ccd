# syntax=docker/dockerfile:1
# One image for chat, presence or both: the argument is the verticle, as with bin/vertx.
#   docker build -t chat-presence:1.0.0 .
#   docker run -e PG_URL=... -e JWT_SECRET=... -p 4000:4000 chat-presence:1.0.0 io.chatpresence.chat.ChatVerticle
# No secret is built in: JWT_SECRET / PG_PASSWORD (or JWT_SECRET_FILE / PG_PASSWORD_FILE) come at run time.

# ---- build: the same Maven reactor as `mvn -B verify`, tests left to CI ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY conf/ conf/
COPY protocol/ protocol/
COPY server/ server/
COPY chat-verticle/ chat-verticle/
COPY presence-verticle/ presence-verticle/
COPY launcher/ launcher/
# the benchmark module is not part of the image: only its pom, so that the reactor reads
COPY bench/pom.xml bench/
RUN --mount=type=cache,target=/root/.m2 mvn -B -ntp -q -DskipTests -pl launcher -am package

# ---- run: a slim Java 17 runtime, the fat jar and conf/, as a non-root user ----
FROM eclipse-temurin:17-jre-jammy
RUN groupadd --system --gid 10001 chat \
 && useradd --system --uid 10001 --gid chat --home-dir /app --no-create-home --shell /usr/sbin/nologin chat \
 && mkdir -p /data \
 && chown chat:chat /data
WORKDIR /app
COPY --from=build /src/launcher/target/chat-presence.jar /app/chat-presence.jar
COPY --from=build /src/conf/ /app/conf/
# Containers bind every interface; data (embedded PostgreSQL when PG_URL is unset, the generated JWT secret when
# JWT_SECRET is unset) goes to /data, a volume. JAVA_TOOL_OPTIONS adds JVM flags at run time.
ENV HTTP_HOST=0.0.0.0 \
    DATA_DIR=/data \
    LOG_FORMAT=text
VOLUME ["/data"]
# chat, presence, Hazelcast, event bus (fixed with -cluster-port 5710, see k8s/)
EXPOSE 4000 5000 5701 5710
USER 10001:10001
# The launcher bin/vertx runs: container-aware heap (a share of the memory limit), exit on OOM so the
# orchestrator restarts us, and the --add-opens Hazelcast needs (the list in bin/vertx).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=70", "-XX:InitialRAMPercentage=30", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseG1GC", "-Djava.net.preferIPv4Stack=true", "-Dhazelcast.phone.home.enabled=false", "--add-modules", "java.se", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED", "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED", "-jar", "/app/chat-presence.jar"]
CMD ["io.chatpresence.launcher.AllVerticle", "-conf", "/app/conf/all.json"]
