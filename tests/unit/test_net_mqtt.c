/* The MQTT client against mosquitto on loopback, started here with three listeners (anonymous,
 * password, TLS with a test CA) and persistence: publish/subscribe at QoS 0, 1 and 2, retained
 * messages, wills, CONNACK refusals, keep-alive pings, unsubscribe, oversized messages, TLS,
 * and reconnection after a broker restart, with and without a kept session.
 * Skips, with the reason, when mosquitto is missing. */
#include "peers.h"

#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "circuit9/host_net.h"
#include "circuit9/mqtt.h"

#define L_OPEN 0
#define L_AUTH 1
#define L_TLS 2

static struct {
    char *dir;
    char bin[512];
    pid_t pid;
    int port[3];
    bool up, have_auth, have_tls;
    const char *why;
} g;

static bool broker_start(void) {
    char conf[600], log[600];
    snprintf(conf, sizeof conf, "%s/mosquitto.conf", g.dir);
    snprintf(log, sizeof log, "%s/mosquitto.out", g.dir);
    char *argv[] = {g.bin, "-c", conf, NULL};
    g.pid = peer_spawn(argv, log);
    bool up = g.pid > 0;
    for (int i = 0; i < 3 && up; i++) {
        if (i == L_AUTH && !g.have_auth) {
            continue;
        }
        if (i == L_TLS && !g.have_tls) {
            continue;
        }
        up = peer_wait_port(g.port[i], g.pid, PEER_GUARD_MS);
    }
    return up;
}

static void broker_stop(void) {
    peer_stop(g.pid); /* SIGTERM: mosquitto saves its database */
    g.pid = 0;
}

static int setup(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    const char *bin = peer_find("mosquitto");
    if (!bin) {
        g.why = "mosquitto is not installed";
        return 0;
    }
    snprintf(g.bin, sizeof g.bin, "%s", bin);
    g.dir = peer_tmpdir();
    if (!g.dir) {
        g.why = "no temporary directory";
        return 0;
    }
    g.have_tls = c9_host_tls_available() && peer_find("openssl") && peer_make_certs(C9_SOURCE_DIR, g.dir);
    const char *pw = peer_find("mosquitto_passwd");
    g.have_auth = pw && peer_sh("'%s' -b -c '%s/passwd' alice secret >/dev/null 2>&1", pw, g.dir) == 0;
    struct passwd *me = getpwuid(getuid());
    for (int attempt = 0; attempt < 3; attempt++) {
        for (int i = 0; i < 3; i++) {
            g.port[i] = peer_free_port();
        }
        char conf[600], auth[800] = "", tls[1600] = "";
        if (g.have_auth) {
            snprintf(auth, sizeof auth, "listener %d 127.0.0.1\nallow_anonymous false\npassword_file %s/passwd\n",
                     g.port[L_AUTH], g.dir);
        }
        if (g.have_tls) {
            snprintf(tls, sizeof tls,
                     "listener %d 127.0.0.1\nallow_anonymous true\ncafile %s/ca.crt\ncertfile %s/server.crt\n"
                     "keyfile %s/server.key\ntls_version tlsv1.2\n",
                     g.port[L_TLS], g.dir, g.dir, g.dir);
        }
        snprintf(conf, sizeof conf, "%s/mosquitto.conf", g.dir);
        peer_write(conf,
                   "user %s\nper_listener_settings true\npersistence true\npersistence_location %s/\n"
                   "log_dest file %s/mosquitto.log\nmax_keepalive 3600\n"
                   "listener %d 127.0.0.1\nallow_anonymous true\n%s%s",
                   me ? me->pw_name : "root", g.dir, g.dir, g.port[L_OPEN], auth, tls);
        if (broker_start()) {
            g.up = true;
            return 0;
        }
        broker_stop();
    }
    g.why = "mosquitto did not start (see mosquitto.log)";
    return 0;
}

static int teardown(void **state) {
    (void)state;
    broker_stop();
    peer_rmtree(g.dir);
    return 0;
}

#define NEED()                                                                                                         \
    do {                                                                                                               \
        if (!g.up) {                                                                                                   \
            print_message("skipped: %s\n", g.why);                                                                     \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

/* ---- a client ---- */

typedef struct client {
    c9_host_net_t *net;
    c9_host_tls_t *tls;
    c9_tls_ctx_t ctx;
    c9_net_conn_t slots[2];
    c9_net_connmgr_t mgr;
    uint8_t rx[512], tx[512], subs[256];
    c9_mqtt_t m;
    char got[16][128];
    uint8_t got_qos[16];
    bool got_retain[16];
    int ngot;
} client_t;

static void on_message(void *user, const c9_mqtt_message_t *msg) {
    client_t *c = user;
    if (c->ngot < 16) {
        snprintf(c->got[c->ngot], sizeof c->got[0], "%.*s=%.*s", (int)msg->topic_len, msg->topic,
                 (int)C9_MIN(msg->payload_len, 60), (const char *)msg->payload);
        c->got_qos[c->ngot] = msg->qos;
        c->got_retain[c->ngot] = msg->retain;
    }
    c->ngot++;
}

typedef struct {
    const char *id;
    bool clean;
    int listener;
    const char *user, *password;
    const char *will_topic, *will_msg;
    size_t rx;
} opts_t;

static client_t *client(opts_t o) {
    client_t *c = test_calloc(1, sizeof *c);
    c9_host_net_config_t nc;
    c9_host_net_config_default(&nc);
    assert_int_equal(c9_host_net_new(&nc, &c->net), C9_OK);
    const c9_net_socket_ops_t *raw = c9_host_net_ops(c->net);
    c->ctx = C9_TLS_CTX_NONE;
    if (o.listener == L_TLS) {
        assert_int_equal(c9_host_tls_new(raw, NULL, &c->tls), C9_OK);
        const c9_net_tls_ops_t *t = c9_host_tls_ops(c->tls);
        assert_int_equal(t->context_new(t->ctx, &c->ctx), C9_OK);
        char ca[600];
        snprintf(ca, sizeof ca, "%s/ca.crt", g.dir);
        assert_int_equal(t->context_load_verify_file(t->ctx, c->ctx, ca), C9_OK);
    }
    c9_net_connmgr_config_t mc = {.sock = raw, .tls = c->tls ? c9_host_tls_ops(c->tls) : NULL};
    assert_int_equal(c9_net_connmgr_init(&c->mgr, &mc, c->slots, 2), C9_OK);
    c9_mqtt_config_t cfg = {
        .mgr = &c->mgr,
        .host = o.listener == L_TLS ? "localhost" : "127.0.0.1",
        .port = (uint16_t)g.port[o.listener],
        .tls = o.listener == L_TLS,
        .tls_ctx = c->ctx,
        .connect = {.client_id = o.id,
                    .keep_alive_s = 60,
                    .clean_session = o.clean,
                    .username = o.user,
                    .password = o.password,
                    .password_len = o.password ? strlen(o.password) : 0,
                    .will_topic = o.will_topic,
                    .will_payload = o.will_msg,
                    .will_len = o.will_msg ? strlen(o.will_msg) : 0,
                    .will_qos = o.will_topic ? 1 : 0},
        .timeout_ms = 10000,
        .rx_buf = c->rx,
        .rx_size = o.rx ? o.rx : sizeof c->rx,
        .tx_buf = c->tx,
        .tx_size = sizeof c->tx,
        .sub_store = c->subs,
        .sub_store_size = sizeof c->subs,
        .on_message = on_message,
        .user = c,
    };
    assert_int_equal(c9_mqtt_init(&c->m, &cfg), C9_OK);
    return c;
}

static void client_free(client_t *c) {
    c9_mqtt_disconnect(&c->m);
    c9_net_connmgr_close_all(&c->mgr, true);
    if (c->tls) {
        const c9_net_tls_ops_t *t = c9_host_tls_ops(c->tls);
        t->context_release(t->ctx, c->ctx);
        c9_host_tls_free(c->tls);
    }
    assert_int_equal(c9_host_net_open_count(c->net), 0);
    c9_host_net_free(c->net);
    test_free(c);
}

/* Loops until n messages have come (the guard only stops a hang). */
static void wait_messages(client_t *c, int n) {
    long long guard = peer_now_ms() + 15000;
    while (c->ngot < n && peer_now_ms() < guard) {
        assert_int_equal(c9_mqtt_loop(&c->m, 200, NULL), C9_OK);
    }
    assert_int_equal(c->ngot, n);
}

static bool has(client_t *c, const char *want) {
    for (int i = 0; i < C9_MIN(c->ngot, 16); i++) {
        if (strcmp(c->got[i], want) == 0) {
            return true;
        }
    }
    return false;
}

static void test_publish_subscribe_qos(void **state) {
    (void)state;
    NEED();
    client_t *a = client((opts_t){.id = "c9-a", .clean = true});
    bool sp = true;
    assert_int_equal(c9_mqtt_connect(&a->m, &sp), C9_OK);
    assert_false(sp);
    uint8_t granted;
    assert_int_equal(c9_mqtt_subscribe(&a->m, "c9/qos/#", 2, &granted), C9_OK);
    assert_int_equal(granted, 2);
    for (uint8_t q = 0; q <= 2; q++) {
        char payload[16];
        snprintf(payload, sizeof payload, "q%u", q);
        assert_int_equal(c9_mqtt_publish(&a->m, "c9/qos/t", payload, strlen(payload), q, false), C9_OK);
    }
    wait_messages(a, 3);
    /* One session: the broker keeps the order of a publisher's messages. */
    assert_string_equal(a->got[0], "c9/qos/t=q0");
    assert_string_equal(a->got[1], "c9/qos/t=q1");
    assert_string_equal(a->got[2], "c9/qos/t=q2");
    assert_int_equal(a->got_qos[0], 0);
    assert_int_equal(a->got_qos[1], 1);
    assert_int_equal(a->got_qos[2], 2);
    /* The QoS 2 message was delivered at PUBLISH; its id is held until the broker's PUBREL. */
    long long guard = peer_now_ms() + 15000;
    while (a->m.nqos2_in && peer_now_ms() < guard) {
        assert_int_equal(c9_mqtt_loop(&a->m, 200, NULL), C9_OK);
    }
    assert_int_equal(a->m.nqos2_in, 0);
    assert_int_equal(a->ngot, 3); /* and nothing was delivered twice */

    /* A second client, and a subscription at QoS 1 downgrades QoS 2 messages. */
    client_t *b = client((opts_t){.id = "c9-b", .clean = true});
    assert_int_equal(c9_mqtt_connect(&b->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&b->m, "c9/qos/+", 1, &granted), C9_OK);
    assert_int_equal(granted, 1);
    assert_int_equal(c9_mqtt_publish(&a->m, "c9/qos/u", "from-a", 6, 2, false), C9_OK);
    wait_messages(b, 1);
    assert_string_equal(b->got[0], "c9/qos/u=from-a");
    assert_int_equal(b->got_qos[0], 1);
    wait_messages(a, 4);

    /* Unsubscribed topics are not delivered: a marker on a kept subscription shows the end. */
    assert_int_equal(c9_mqtt_subscribe(&b->m, "c9/marker", 1, NULL), C9_OK);
    assert_int_equal(c9_mqtt_unsubscribe(&b->m, "c9/qos/+"), C9_OK);
    assert_int_equal(c9_mqtt_publish(&a->m, "c9/qos/u", "unseen", 6, 1, false), C9_OK);
    assert_int_equal(c9_mqtt_publish(&a->m, "c9/marker", "end", 3, 1, false), C9_OK);
    wait_messages(b, 2);
    assert_string_equal(b->got[1], "c9/marker=end");
    assert_int_equal(c9_mqtt_ping(&a->m), C9_OK);
    client_free(a);
    client_free(b);
}

static void test_retained_and_will(void **state) {
    (void)state;
    NEED();
    client_t *p = client((opts_t){.id = "c9-pub", .clean = true});
    assert_int_equal(c9_mqtt_connect(&p->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_publish(&p->m, "c9/retained", "kept", 4, 1, true), C9_OK);
    client_t *s = client((opts_t){.id = "c9-late", .clean = true});
    assert_int_equal(c9_mqtt_connect(&s->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&s->m, "c9/retained", 1, NULL), C9_OK);
    wait_messages(s, 1);
    assert_string_equal(s->got[0], "c9/retained=kept");
    assert_true(s->got_retain[0]);
    assert_int_equal(c9_mqtt_publish(&p->m, "c9/retained", "", 0, 1, true), C9_OK); /* clears it */

    /* A will goes out when its client vanishes, not when it says goodbye. */
    assert_int_equal(c9_mqtt_subscribe(&s->m, "c9/will/#", 1, NULL), C9_OK);
    client_t *w1 = client((opts_t){.id = "c9-w1", .clean = true, .will_topic = "c9/will/1", .will_msg = "polite"});
    client_t *w2 = client((opts_t){.id = "c9-w2", .clean = true, .will_topic = "c9/will/2", .will_msg = "vanished"});
    assert_int_equal(c9_mqtt_connect(&w1->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_connect(&w2->m, NULL), C9_OK);
    c9_mqtt_disconnect(&w1->m);
    assert_int_equal(c9_net_connmgr_close(&w2->mgr, w2->m.conn), C9_OK); /* no DISCONNECT */
    w2->m.conn = NULL;
    assert_int_equal(c9_mqtt_publish(&p->m, "c9/will/marker", "end", 3, 1, false), C9_OK);
    /* The empty retained message that cleared "kept" is delivered too. The will and the
     * marker race inside the broker: wait for all. */
    wait_messages(s, 4);
    assert_true(has(s, "c9/retained="));
    assert_true(has(s, "c9/will/2=vanished"));
    assert_true(has(s, "c9/will/marker=end"));
    assert_false(has(s, "c9/will/1=polite"));
    client_free(w1);
    client_free(w2);
    client_free(s);
    client_free(p);
}

static void test_connack_refusals(void **state) {
    (void)state;
    NEED();
    /* MQTT 3.1.1: a zero-length id with a kept session is refused: "identifier rejected". */
    client_t *c = client((opts_t){.id = "", .clean = false});
    assert_int_equal(c9_mqtt_connect(&c->m, NULL), C9_ERR_MQTT_REFUSED_IDENTIFIER);
    assert_false(c9_mqtt_connected(&c->m));
    client_free(c);
    if (!g.have_auth) {
        print_message("skipped the password listener: mosquitto_passwd is missing\n");
        return;
    }
    c = client((opts_t){.id = "c9-auth", .clean = true, .listener = L_AUTH, .user = "alice", .password = "wrong"});
    c9_err_t err = c9_mqtt_connect(&c->m, NULL);
    /* mosquitto 2.0 answers a wrong password with code 5, "not authorized". */
    assert_int_equal(err, C9_ERR_MQTT_REFUSED_AUTHORIZED);
    client_free(c);
    c = client((opts_t){.id = "c9-anon", .clean = true, .listener = L_AUTH});
    assert_int_equal(c9_mqtt_connect(&c->m, NULL), C9_ERR_MQTT_REFUSED_AUTHORIZED);
    client_free(c);
    c = client((opts_t){.id = "c9-auth", .clean = true, .listener = L_AUTH, .user = "alice", .password = "secret"});
    assert_int_equal(c9_mqtt_connect(&c->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&c->m, "c9/auth", 1, NULL), C9_OK);
    assert_int_equal(c9_mqtt_publish(&c->m, "c9/auth", "in", 2, 1, false), C9_OK);
    wait_messages(c, 1);
    client_free(c);
}

static void test_tls_listener(void **state) {
    (void)state;
    NEED();
    if (!g.have_tls) {
        print_message("skipped: no TLS (mbedTLS or openssl missing)\n");
        skip();
    }
    client_t *c = client((opts_t){.id = "c9-tls", .clean = true, .listener = L_TLS});
    assert_int_equal(c9_mqtt_connect(&c->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&c->m, "c9/tls", 2, NULL), C9_OK);
    assert_int_equal(c9_mqtt_publish(&c->m, "c9/tls", "secret", 6, 2, false), C9_OK);
    wait_messages(c, 1);
    assert_string_equal(c->got[0], "c9/tls=secret");
    client_free(c);
}

static void test_oversized_message(void **state) {
    (void)state;
    NEED();
    client_t *small = client((opts_t){.id = "c9-small", .clean = true, .rx = 128});
    assert_int_equal(c9_mqtt_connect(&small->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&small->m, "c9/big", 0, NULL), C9_OK);
    client_t *p = client((opts_t){.id = "c9-bigpub", .clean = true});
    assert_int_equal(c9_mqtt_connect(&p->m, NULL), C9_OK);
    char payload[400];
    memset(payload, 'B', sizeof payload);
    assert_int_equal(c9_mqtt_publish(&p->m, "c9/big", payload, sizeof payload, 0, false), C9_OK);
    c9_err_t err = C9_OK;
    long long guard = peer_now_ms() + 15000;
    while (err == C9_OK && peer_now_ms() < guard) {
        err = c9_mqtt_loop(&small->m, 200, NULL);
    }
    assert_int_equal(err, C9_ERR_MQTT_TOO_LARGE);
    assert_false(c9_mqtt_connected(&small->m));
    assert_int_equal(c9_host_net_open_count(small->net), 0);
    /* Too large for our own tx buffer: refused before anything is sent. */
    char huge[600];
    memset(huge, 'H', sizeof huge);
    assert_int_equal(c9_mqtt_publish(&p->m, "c9/big", huge, sizeof huge, 1, false), C9_ERR_MQTT_TOO_LARGE);
    assert_true(c9_mqtt_connected(&p->m));
    client_free(small);
    client_free(p);
}

static void test_broker_restart(void **state) {
    (void)state;
    NEED();
    /* A clean-session client and a kept-session client, both subscribed. */
    client_t *c = client((opts_t){.id = "c9-clean", .clean = true});
    client_t *k = client((opts_t){.id = "c9-kept", .clean = false});
    assert_int_equal(c9_mqtt_connect(&c->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&c->m, "c9/restart", 1, NULL), C9_OK);
    assert_int_equal(c9_mqtt_connect(&k->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&k->m, "c9/restart", 1, NULL), C9_OK);

    broker_stop();
    /* The next operation sees the broker gone, and the socket is closed, not kept. */
    c9_err_t err = C9_OK;
    long long guard = peer_now_ms() + 15000;
    while (err == C9_OK && peer_now_ms() < guard) {
        err = c9_mqtt_loop(&c->m, 200, NULL);
    }
    assert_true(err == C9_ERR_NOTCONN || err == C9_ERR_CONNRESET);
    assert_false(c9_mqtt_connected(&c->m));
    assert_int_equal(c9_host_net_open_count(c->net), 0);
    assert_int_equal(c9_mqtt_reconnect(&c->m, NULL), C9_ERR_CONNREFUSED); /* still down */
    assert_true(broker_start());

    bool sp = true;
    assert_int_equal(c9_mqtt_reconnect(&c->m, &sp), C9_OK);
    assert_false(sp); /* a new session: the client subscribed again by itself */
    /* The kept session was saved by the broker; a message published while the kept client is
     * away waits for it. */
    client_t *p = client((opts_t){.id = "c9-restart-pub", .clean = true});
    assert_int_equal(c9_mqtt_connect(&p->m, NULL), C9_OK);
    assert_int_equal(c9_mqtt_publish(&p->m, "c9/restart", "after", 5, 1, false), C9_OK);
    wait_messages(c, 1);
    assert_string_equal(c->got[0], "c9/restart=after");
    sp = false;
    assert_int_equal(c9_mqtt_reconnect(&k->m, &sp), C9_OK);
    assert_true(sp);
    wait_messages(k, 1);
    assert_string_equal(k->got[0], "c9/restart=after");
    assert_int_equal(c9_mqtt_publish(&p->m, "c9/restart", "again", 5, 2, false), C9_OK);
    wait_messages(k, 2);
    wait_messages(c, 2);
    client_free(p);
    client_free(c);
    /* Leave no kept session behind for a later run of this broker. */
    c9_mqtt_disconnect(&k->m);
    k->m.cfg.connect.clean_session = true;
    assert_int_equal(c9_mqtt_connect(&k->m, NULL), C9_OK);
    client_free(k);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_subscribe_qos), cmocka_unit_test(test_retained_and_will),
        cmocka_unit_test(test_connack_refusals),      cmocka_unit_test(test_tls_listener),
        cmocka_unit_test(test_oversized_message),     cmocka_unit_test(test_broker_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
