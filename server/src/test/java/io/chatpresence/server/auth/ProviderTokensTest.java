package io.chatpresence.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.chatpresence.server.config.ConfigKeys;
import io.chatpresence.server.db.Pools;
import io.chatpresence.server.testing.Ports;
import io.chatpresence.server.testing.TestDatabase;
import io.chatpresence.server.testing.TestIdentityProvider;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The external identity provider's tokens against a real provider endpoint on loopback (discovery + JWKS, real
 * RSA and EC keys) and the real database: accepted when they should be, every attack refused with a message.
 */
class ProviderTokensTest {
  private static final String SECRET = "provider-test-secret-0123456789-abcdef";
  private static Vertx vertx;
  private static Context context;
  private static Pool pool;
  private static TestIdentityProvider idp;
  private static Authenticator auth;
  private static Tokens tokens;

  @BeforeAll
  static void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    idp = new TestIdentityProvider(vertx).start(0);
    JsonObject cfg = config(idp.config());
    pool = Pools.create(vertx, cfg);
    tokens = on(() -> Tokens.create(vertx, cfg));
    auth = new Authenticator(tokens, pool);
    await().atMost(java.time.Duration.ofSeconds(10)).until(() -> statusOf(idp.issuer()).startsWith("keys: 2"));
  }

  @AfterAll
  static void tearDown() {
    idp.close();
    vertx.close();
  }

  private static JsonObject config(JsonObject extra) {
    return ConfigKeys.defaults().put(ConfigKeys.JWT_SECRET, SECRET).put(ConfigKeys.PG_URL, TestDatabase.url())
      .mergeIn(extra);
  }

  /** Runs on one event-loop context (the authenticator batches there) and waits for the result. */
  private static <T> T on(Supplier<Future<T>> action) throws Exception {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    try {
      return promise.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  private static Claims accepted(Authenticator authenticator, String token) throws Exception {
    return on(() -> authenticator.authenticate(token));
  }

  /** The refusal's message. */
  private static String refused(Authenticator authenticator, String token) {
    Exception e = assertThrows(Exception.class, () -> on(() -> authenticator.authenticate(token)));
    assertTrue(e instanceof Authenticator.AuthFailure, "a refusal, not an outage: " + e);
    return e.getMessage();
  }

  private static String statusOf(String issuer) {
    String s = vertx.sharedData().<String, String>getLocalMap(ProviderKeys.STATUS_MAP).get(issuer);
    return s == null ? "" : s;
  }

  private static String user() {
    return "u" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void rs256AndEs256TokensAreAcceptedAndTheirUserIsCreatedOnFirstSight() throws Exception {
    String name = user();
    Claims claims = accepted(auth, idp.token(name));
    assertEquals(name, claims.username());
    assertEquals(idp.issuer(), claims.issuer());
    var row = on(() -> pool.preparedQuery("SELECT password_hash, issuer FROM users WHERE username = $1")
      .execute(Tuple.of(name))).iterator().next();
    assertNull(row.getString("password_hash"), "no password: login refuses the account");
    assertEquals(idp.issuer(), row.getString("issuer"));
    // again: the account exists now
    assertEquals(name, accepted(auth, idp.token(name)).username());
    String es = TestIdentityProvider.sign(idp.ec, JWSAlgorithm.ES256, idp.claims(name).build());
    assertEquals(name, accepted(auth, es).username());
  }

  @Test
  void builtInTokensKeepWorkingBesideTheProvider() throws Exception {
    String name = user();
    on(() -> pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ($1, 'x')").execute(Tuple.of(name)));
    assertEquals(name, accepted(auth, tokens.issue(name).token()).username());
    // and the provider cannot take a local account over
    assertTrue(refused(auth, idp.token(name)).contains("another origin"));
  }

  @Test
  void claimsAreChecked() throws Exception {
    String name = user();
    long now = System.currentTimeMillis();
    assertTrue(refused(auth, rs(idp.claims(name).audience("someone-else").build())).contains("aud"));
    assertTrue(refused(auth, rs(idp.claims(name).issuer("http://127.0.0.1:1").build())).contains("iss"));
    assertTrue(refused(auth, rs(idp.claims(name).expirationTime(new Date(now - 60_000)).build())).contains("xpired"));
    assertTrue(refused(auth, rs(idp.claims(name).expirationTime(null).build())).contains("exp"));
    assertTrue(refused(auth, rs(idp.claims(name).notBeforeTime(new Date(now + 60_000)).build())).contains("before"));
    assertTrue(refused(auth, rs(idp.claims(name).claim("preferred_username", null).build())).contains("preferred_username"));
    assertTrue(refused(auth, rs(idp.claims("a b").build())).contains("not a valid username"));
    assertTrue(refused(auth, rs(idp.claims("x".repeat(33)).build())).contains("not a valid username"));
    assertTrue(refused(auth, rs(idp.claims(name).claim("preferred_username", 42).build())).contains("not a valid username"));
    // within the 30 s skew: still good
    assertEquals(name, accepted(auth, rs(idp.claims(name).expirationTime(new Date(now - 10_000)).build())).username());
    assertEquals(name, accepted(auth, rs(idp.claims(name).notBeforeTime(new Date(now + 10_000)).build())).username());
  }

  @Test
  void algorithmConfusionAndForgeriesAreRefused() throws Exception {
    String name = user();
    JWTClaimsSet claims = idp.claims(name).build();
    // HS256 keyed with the provider's public key: checked against JWT_SECRET only
    assertTrue(refused(auth, hs256(idp.rsa.toPublicJWK().toJSONString().getBytes(), claims)).contains("invalid"));
    assertTrue(refused(auth, hs256(idp.rsa.toRSAPublicKey().getEncoded(), claims)).contains("invalid"));
    // the same claims signed by a key the provider never published, under the provider's kid
    RSAKey stranger = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID(idp.rsa.getKeyID()).generate();
    assertTrue(refused(auth, TestIdentityProvider.sign(stranger, JWSAlgorithm.RS256, claims)).contains("signature"));
    ECKey strangerEc = TestIdentityProvider.newEc();
    assertTrue(refused(auth, TestIdentityProvider.sign(strangerEc, JWSAlgorithm.ES256, claims,
      h -> h.keyID(idp.ec.getKeyID()))).contains("signature"));
    // the RSA key named for an ES256 token, the EC key for RS256: no such key of that type
    assertTrue(refused(auth, TestIdentityProvider.sign(strangerEc, JWSAlgorithm.ES256, claims,
      h -> h.keyID(idp.rsa.getKeyID()))).contains("unknown key"));
    // algorithms nobody accepts
    String[] parts = idp.token(name).split("\\.");
    assertTrue(refused(auth, TokensTest.b64("{\"alg\":\"none\"}") + "." + parts[1] + ".").contains("invalid"));
    assertTrue(refused(auth, TokensTest.b64("{\"alg\":\"PS256\",\"kid\":\"" + idp.rsa.getKeyID() + "\"}") + "."
      + parts[1] + "." + parts[2]).contains("invalid"));
    assertTrue(refused(auth, TestIdentityProvider.sign(idp.rsa, JWSAlgorithm.RS512, claims)).contains("invalid"));
    // a good signature over other claims
    String other = idp.token(user());
    assertTrue(refused(auth, parts[0] + "." + other.split("\\.")[1] + "." + parts[2]).contains("signature"));
    // garbage in every part
    assertTrue(refused(auth, parts[0] + ".!!!." + parts[2]).contains("invalid"));
    assertTrue(refused(auth, parts[0]).contains("invalid"));
    assertTrue(refused(auth, "").contains("invalid"));
  }

  @Test
  void keyRotationRefetchesOnAnUnknownKidAtMostOncePerInterval() throws Exception {
    TestIdentityProvider own = new TestIdentityProvider(vertx).start(0);
    try {
      Tokens fast = on(() -> Tokens.create(vertx, config(own.config()).put(ConfigKeys.JWKS_MIN_REFETCH_MS, 60_000L)));
      Authenticator a = new Authenticator(fast, pool);
      String name = user();
      assertEquals(name, accepted(a, own.token(name)).username());
      int fetches = own.jwksFetches();
      assertEquals(1, fetches);
      // a flood of made-up kids: at most one fetch per minute
      for (int i = 0; i < 50; i++) {
        JWTClaimsSet claims = own.claims(name).build();
        String kid = "made-up-" + i;
        assertTrue(refused(a, TestIdentityProvider.sign(own.rsa, JWSAlgorithm.RS256, claims, h -> h.keyID(kid)))
          .contains("unknown key"));
      }
      assertEquals(1, own.jwksFetches(), "no refetch within the interval after the last fetch");
    } finally {
      own.close();
    }
  }

  @Test
  void aRotatedKeyIsFetchedWithoutARestart() throws Exception {
    TestIdentityProvider own = new TestIdentityProvider(vertx).start(0);
    try {
      Tokens t = on(() -> Tokens.create(vertx, config(own.config()).put(ConfigKeys.JWKS_MIN_REFETCH_MS, 0L)));
      Authenticator a = new Authenticator(t, pool);
      String name = user();
      assertEquals(name, accepted(a, own.token(name)).username());
      RSAKey next = TestIdentityProvider.newRsa();
      own.publish(next);
      assertEquals(name, accepted(a, TestIdentityProvider.sign(next, JWSAlgorithm.RS256, own.claims(name).build())).username());
    } finally {
      own.close();
    }
  }

  @Test
  void anUnreachableProviderAtStartStopsOnlyItsOwnTokens() throws Exception {
    int port = Ports.free();
    TestIdentityProvider later = new TestIdentityProvider(vertx);
    JsonObject cfg = config(new JsonObject().put(ConfigKeys.OIDC_ISSUER, "http://127.0.0.1:" + port)
      .put(ConfigKeys.JWT_AUDIENCE, TestIdentityProvider.AUDIENCE).put(ConfigKeys.JWKS_MIN_REFETCH_MS, 200L));
    Tokens t = on(() -> Tokens.create(vertx, cfg));
    Authenticator a = new Authenticator(t, pool);
    String issuer = "http://127.0.0.1:" + port;
    await().atMost(java.time.Duration.ofSeconds(10)).until(() -> statusOf(issuer).startsWith("unavailable"));
    String local = user();
    on(() -> pool.preparedQuery("INSERT INTO users (username, password_hash) VALUES ($1, 'x')").execute(Tuple.of(local)));
    assertEquals(local, accepted(a, t.issue(local).token()).username());
    try {
      later.start(port);
      String name = user();
      String token = later.token(name);
      // refused with a clear message until a fetch succeeds (at most one per 200 ms here), then accepted
      await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
        try {
          return name.equals(accepted(a, token).username());
        } catch (Authenticator.AuthFailure f) {
          assertTrue(f.getMessage().contains("not available yet"), f.getMessage());
          return false;
        }
      });
      assertTrue(statusOf(issuer).startsWith("keys: 2"), statusOf(issuer));
    } finally {
      later.close();
    }
  }

  @Test
  void providerSettingsAreChecked() {
    JsonObject base = ConfigKeys.defaults().put(ConfigKeys.JWT_AUDIENCE, "a");
    assertThrows(IllegalArgumentException.class, () -> ProviderConfig.from(base.copy()
      .put(ConfigKeys.OIDC_ISSUER, "http://idp.example.com/realms/x")));
    assertThrows(IllegalArgumentException.class, () -> ProviderConfig.from(base.copy()
      .put(ConfigKeys.JWKS_URL, "http://10.0.0.1/jwks").put(ConfigKeys.JWT_ISSUER, "https://x")));
    assertThrows(IllegalArgumentException.class, () -> ProviderConfig.from(base.copy()
      .put(ConfigKeys.JWKS_URL, "https://idp.example.com/jwks")));
    assertThrows(IllegalArgumentException.class, () -> ProviderConfig.from(ConfigKeys.defaults()
      .put(ConfigKeys.OIDC_ISSUER, "https://idp.example.com")));
    assertEquals("https://idp.example.com/realms/x/.well-known/openid-configuration", ProviderConfig.from(base.copy()
      .put(ConfigKeys.OIDC_ISSUER, "https://idp.example.com/realms/x")).discoveryUrl());
    for (String loopback : List.of("http://localhost:8080", "http://127.0.0.1:1", "http://[::1]:9")) {
      assertEquals(loopback, ProviderConfig.from(base.copy().put(ConfigKeys.OIDC_ISSUER, loopback)).issuer());
    }
    assertNull(ProviderConfig.from(ConfigKeys.defaults()));
  }

  private static String rs(JWTClaimsSet claims) {
    return TestIdentityProvider.sign(idp.rsa, JWSAlgorithm.RS256, claims);
  }

  private static String hs256(byte[] secret, JWTClaimsSet claims) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(idp.rsa.getKeyID()).build(), claims);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }
}
