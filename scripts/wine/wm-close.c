/*
 * wm-close WINDOW: asks an X window to close the way a window manager does
 * when its close button is clicked: a WM_PROTOCOLS client message holding
 * WM_DELETE_WINDOW (ICCCM 4.2.8.1). xdotool 3.20160805 (Debian 12) can only
 * destroy a window or kill its client, neither of which lets the program
 * close on its own. Exits 1 when the window does not take WM_DELETE_WINDOW.
 *
 *   gcc -O2 -o wm-close wm-close.c -lX11
 */
#include <stdio.h>
#include <stdlib.h>
#include <X11/Xlib.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: wm-close WINDOW-ID\n");
		return 2;
	}
	Display *d = XOpenDisplay(NULL);
	if (!d) {
		fprintf(stderr, "wm-close: cannot open the display\n");
		return 1;
	}
	Window w = (Window)strtoul(argv[1], NULL, 0);
	Atom protocols = XInternAtom(d, "WM_PROTOCOLS", False);
	Atom del = XInternAtom(d, "WM_DELETE_WINDOW", False);
	Atom *list = NULL;
	int n = 0, takes = 0;
	if (XGetWMProtocols(d, w, &list, &n)) {
		for (int i = 0; i < n; i++)
			takes |= list[i] == del;
		XFree(list);
	}
	if (!takes) {
		fprintf(stderr, "wm-close: window %s does not take WM_DELETE_WINDOW\n", argv[1]);
		return 1;
	}
	XEvent e = {0};
	e.xclient.type = ClientMessage;
	e.xclient.window = w;
	e.xclient.message_type = protocols;
	e.xclient.format = 32;
	e.xclient.data.l[0] = (long)del;
	e.xclient.data.l[1] = CurrentTime;
	XSendEvent(d, w, False, NoEventMask, &e);
	XSync(d, False);
	XCloseDisplay(d);
	return 0;
}
