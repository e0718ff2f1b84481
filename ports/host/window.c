/* An SDL2 window per shown panel, when SDL2 was found at build time and a display server is set. */
#include "vpanel_internal.h"
#include "usb_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifdef C9_HAVE_SDL2
#include <SDL.h>

#define MAX_WINDOWS 8
typedef struct win {
    c9_vpanel_t *panel;
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *texture;
    bool dirty;
    bool closing; /* its panel was forgotten: destroyed on the SDL thread */
    /* The board's window: its display (panel, may be NULL) with LEDs and buttons beside it. */
    bool board;
    int scale, w, h;
    uint8_t *last; /* the picture shown, to upload only changes */
    int held;      /* the button the mouse holds down, -1: none */
} win_t;
static win_t windows[MAX_WINDOWS];
static bool sdl_up;
/* SDL's video calls (X11, Wayland) belong to the thread that initialised it; c9_port_background()
 * is called from every thread that sleeps, so the others leave the windows alone. */
static pthread_t sdl_thread;

static bool on_sdl_thread(void) {
    return sdl_up && pthread_equal(pthread_self(), sdl_thread);
}

bool c9_window_available(void) {
    return getenv("DISPLAY") != NULL || getenv("WAYLAND_DISPLAY") != NULL;
}

static void on_change(void *ctx, c9_vpanel_t *p) {
    (void)p;
    ((win_t *)ctx)->dirty = true;
}

c9_err_t c9_window_show(c9_vpanel_t *p, int scale) {
    if (!c9_window_available()) {
        return C9_ERR_NOSYS;
    }
    if (!sdl_up) {
        if (SDL_Init(SDL_INIT_VIDEO) != 0) {
            return C9_ERR_NOSYS;
        }
        sdl_up = true;
        sdl_thread = pthread_self();
    }
    if (!on_sdl_thread()) {
        return C9_ERR_NOSYS; /* a display built in another thread runs without a window */
    }
    uint16_t vw, vh; /* the window shows the board as a person sees it */
    c9_vpanel_view_size(p, &vw, &vh);
    for (int i = 0; i < MAX_WINDOWS; i++) {
        win_t *w = &windows[i];
        if (w->panel || w->window) {
            continue;
        }
        if (scale < 1) {
            scale = 2;
        }
        w->window =
            SDL_CreateWindow("circuit9", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, vw * scale, vh * scale, 0);
        if (!w->window) {
            return C9_ERR_NOSYS;
        }
        w->renderer = SDL_CreateRenderer(w->window, -1, 0);
        w->texture = w->renderer
                         ? SDL_CreateTexture(w->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING, vw, vh)
                         : NULL;
        if (!w->texture) {
            SDL_DestroyWindow(w->window);
            w->window = NULL;
            return C9_ERR_NOSYS;
        }
        w->panel = p;
        w->dirty = true;
        c9_vpanel_set_listener(p, on_change, w);
        return C9_OK;
    }
    return C9_ERR_NOMEM;
}

static void destroy(win_t *w) {
    if (w->panel) {
        c9_vpanel_set_listener(w->panel, NULL, NULL);
    }
    SDL_DestroyTexture(w->texture);
    SDL_DestroyRenderer(w->renderer);
    SDL_DestroyWindow(w->window);
    free(w->last);
    memset(w, 0, sizeof(*w));
}

/* Destroys the windows whose panels were forgotten. */
static void destroy_closed(void) {
    for (int i = 0; i < MAX_WINDOWS; i++) {
        if (windows[i].closing) {
            destroy(&windows[i]);
        }
    }
}

void c9_window_forget(c9_vpanel_t *p) {
    for (int i = 0; i < MAX_WINDOWS; i++) {
        win_t *w = &windows[i];
        if (w->panel == p && w->window) {
            c9_vpanel_set_listener(p, NULL, NULL);
            w->panel = NULL;        /* the board's window stays; its display goes */
            w->closing = !w->board; /* a panel's window goes, on the SDL thread */
        }
    }
    if (on_sdl_thread()) {
        destroy_closed();
    }
}

c9_err_t c9_window_show_board(c9_vpanel_t *display, int scale) {
    if (!c9_window_available()) {
        return C9_ERR_NOSYS;
    }
    if (!sdl_up) {
        if (SDL_Init(SDL_INIT_VIDEO) != 0) {
            return C9_ERR_NOSYS;
        }
        sdl_up = true;
        sdl_thread = pthread_self();
    }
    if (!on_sdl_thread()) {
        return C9_ERR_NOSYS; /* a display built in another thread runs without a window */
    }
    for (int i = 0; i < MAX_WINDOWS; i++) {
        win_t *w = &windows[i];
        if (w->window) {
            continue;
        }
        w->board = true;
        w->panel = display;
        w->scale = scale < 1 ? 2 : scale;
        w->held = -1;
        c9__board_view_size(display, &w->w, &w->h);
        w->window = SDL_CreateWindow("circuit9", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, w->w * w->scale,
                                     w->h * w->scale, 0);
        w->renderer = w->window ? SDL_CreateRenderer(w->window, -1, 0) : NULL;
        w->texture =
            w->renderer ? SDL_CreateTexture(w->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING, w->w, w->h)
                        : NULL;
        if (!w->texture) {
            destroy(w);
            return C9_ERR_NOSYS;
        }
        if (display) {
            c9_vpanel_set_listener(display, on_change, w);
        }
        w->dirty = true;
        return C9_OK;
    }
    return C9_ERR_NOMEM;
}

static win_t *board_window(uint32_t id) {
    for (int i = 0; i < MAX_WINDOWS; i++) {
        if (windows[i].board && windows[i].window && SDL_GetWindowID(windows[i].window) == id) {
            return &windows[i];
        }
    }
    return NULL;
}

/* Mouse and keys press the board's buttons: a click holds one down until the mouse button is
 * let go, keys 1..9 hold the first nine while they are down. */
static void board_event(const SDL_Event *e) {
    win_t *w;
    switch (e->type) {
    case SDL_MOUSEBUTTONDOWN:
        if ((w = board_window(e->button.windowID)) != NULL) {
            w->held = c9__board_view_hit(w->panel, e->button.x / w->scale, e->button.y / w->scale);
            if (w->held >= 0) {
                c9__board_button_set((size_t)w->held, true);
            }
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if ((w = board_window(e->button.windowID)) != NULL && w->held >= 0) {
            c9__board_button_set((size_t)w->held, false);
            w->held = -1;
        }
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        if (!e->key.repeat && e->key.keysym.sym >= SDLK_1 && e->key.keysym.sym <= SDLK_9) {
            c9__board_button_set((size_t)(e->key.keysym.sym - SDLK_1), e->type == SDL_KEYDOWN);
        }
        break;
    default: break;
    }
}

static void board_redraw(win_t *w) {
    int bw, bh;
    c9__board_view_size(w->panel, &bw, &bh);
    if (bw != w->w || bh != w->h) {
        /* A strip appeared: the window grows. */
        SDL_DestroyTexture(w->texture);
        w->w = bw;
        w->h = bh;
        free(w->last);
        w->last = NULL;
        SDL_SetWindowSize(w->window, bw * w->scale, bh * w->scale);
        w->texture = SDL_CreateTexture(w->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STREAMING, bw, bh);
        if (!w->texture) {
            return;
        }
    }
    size_t size = (size_t)bw * bh * 3;
    uint8_t *rgb = malloc(size);
    if (!rgb) {
        return;
    }
    c9__board_view_render(w->panel, rgb, bw, bh);
    if (!w->last || memcmp(w->last, rgb, size) != 0) {
        void *pixels;
        int pitch;
        if (SDL_LockTexture(w->texture, NULL, &pixels, &pitch) == 0) {
            for (int y = 0; y < bh; y++) {
                memcpy((uint8_t *)pixels + (size_t)y * pitch, rgb + (size_t)y * bw * 3, (size_t)bw * 3);
            }
            SDL_UnlockTexture(w->texture);
        }
        SDL_RenderCopy(w->renderer, w->texture, NULL, NULL);
        SDL_RenderPresent(w->renderer);
        free(w->last);
        w->last = rgb;
    } else {
        free(rgb);
    }
}

void c9_window_poll(void) {
    if (!on_sdl_thread()) {
        return;
    }
    destroy_closed();
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        /* Keys typed into the window: SDL's scancodes are the HID keyboard usages. They are the
         * board's USB keyboard when it has one on its host port (the port's USB keyboard repeats
         * nothing itself: the host's keyboard workflow does), else keys 1..9 press its buttons. */
        if ((e.type == SDL_KEYDOWN || e.type == SDL_KEYUP) && !e.key.repeat &&
            c9__host_usb_window_key((unsigned)e.key.keysym.scancode, e.type == SDL_KEYDOWN)) {
            continue;
        }
        board_event(&e);
    }
    for (int i = 0; i < MAX_WINDOWS; i++) {
        win_t *w = &windows[i];
        if (w->board && w->window) {
            board_redraw(w); /* LEDs change without telling anyone */
            continue;
        }
        if (!w->panel || !w->dirty) {
            continue;
        }
        uint16_t vw, vh;
        c9_vpanel_view_size(w->panel, &vw, &vh);
        void *pixels;
        int pitch;
        if (SDL_LockTexture(w->texture, NULL, &pixels, &pitch) == 0) {
            uint8_t *rgb = malloc((size_t)vw * vh * 3);
            if (rgb) {
                c9_vpanel_render_view(w->panel, rgb);
                for (int y = 0; y < vh; y++) {
                    memcpy((uint8_t *)pixels + (size_t)y * pitch, rgb + (size_t)y * vw * 3, (size_t)vw * 3);
                }
                free(rgb);
            }
            SDL_UnlockTexture(w->texture);
        }
        SDL_RenderCopy(w->renderer, w->texture, NULL, NULL);
        SDL_RenderPresent(w->renderer);
        w->dirty = false;
    }
}

#else

bool c9_window_available(void) {
    return false;
}

c9_err_t c9_window_show(c9_vpanel_t *p, int scale) {
    (void)p;
    (void)scale;
    return C9_ERR_NOSYS;
}

c9_err_t c9_window_show_board(c9_vpanel_t *display, int scale) {
    (void)display;
    (void)scale;
    return C9_ERR_NOSYS;
}

void c9_window_forget(c9_vpanel_t *p) {
    (void)p;
}

void c9_window_poll(void) {
}

#endif
