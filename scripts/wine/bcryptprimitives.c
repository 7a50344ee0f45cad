/*
 * bcryptprimitives.dll for Wine 8.0 (Debian 12), which lacks it: Go 1.22 and
 * later load ProcessPrng from it at start-up and stop with "bcryptprimitives.dll
 * not found" without it. This one fills the buffer from RtlGenRandom
 * (SystemFunction036 in advapi32), which Wine has. Test use only: it goes into
 * a throw-away Wine prefix's system32 (scripts/windows-test.sh), never into
 * anything tnjwt ships.
 *
 *   x86_64-w64-mingw32-gcc -O2 -shared -s -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	/* RtlGenRandom takes a ULONG length: feed it in pieces. */
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
