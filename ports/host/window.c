/* An SDL2 window per shown panel, when SDL2 was found at build time and a display server is set. */
#include "vpanel_internal.h"

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

/* Destroys the windows whose panels were forgotten. */
static void destroy_closed(void) {
    for (int i = 0; i < MAX_WINDOWS; i++) {
        win_t *w = &windows[i];
        if (!w->panel && w->window) {
            SDL_DestroyTexture(w->texture);
            SDL_DestroyRenderer(w->renderer);
            SDL_DestroyWindow(w->window);
            memset(w, 0, sizeof(*w));
        }
    }
}

void c9_window_forget(c9_vpanel_t *p) {
    for (int i = 0; i < MAX_WINDOWS; i++) {
        win_t *w = &windows[i];
        if (w->panel == p) {
            c9_vpanel_set_listener(p, NULL, NULL);
            w->panel = NULL; /* the panel goes now; its window on the SDL thread (destroy_closed) */
            if (on_sdl_thread()) {
                destroy_closed();
            }
        }
    }
}

void c9_window_poll(void) {
    if (!on_sdl_thread()) {
        return;
    }
    destroy_closed();
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
    }
    for (int i = 0; i < MAX_WINDOWS; i++) {
        win_t *w = &windows[i];
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

void c9_window_forget(c9_vpanel_t *p) {
    (void)p;
}

void c9_window_poll(void) {
}

#endif
