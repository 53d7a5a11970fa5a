/*
 * cobolambda: a stand-in for the five ICU converter entry points that
 * Debian's libxml2 references (encoding.c, openIcuConverter).
 *
 * libxml2 looks an encoding up in its built-in tables first, then in iconv
 * (glibc), and only then asks ICU. Answering "no such converter" here makes
 * ICU-only encodings unsupported (xmlFindCharEncodingHandler returns NULL, as
 * for any unknown encoding) and drops about 32 MB of ICU code and data plus
 * libstdc++ (which needs GLIBC 2.35+ on Debian 12) from every layer.
 * GnuCOBOL uses libxml2 only for XML GENERATE / XML PARSE, in UTF-8.
 *
 * The suffix is ICU's major version (72 on Debian 12). The build compiles this
 * file with -DICU_SUFFIX=_NN from `layer/toolchain.ts` when it differs.
 */
#include <stddef.h>

#ifndef ICU_SUFFIX
#define ICU_SUFFIX _72
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define ICU(name) CAT(name, ICU_SUFFIX)

typedef int UErrorCode;
#define U_UNSUPPORTED_ERROR 16

void *ICU(ucnv_open)(const char *name, UErrorCode *err) {
  (void)name;
  if (err != NULL) *err = U_UNSUPPORTED_ERROR;
  return NULL;
}
void ICU(ucnv_close)(void *converter) { (void)converter; }
void ICU(ucnv_convertEx)(void) {}
void ICU(ucnv_setFromUCallBack)(void) {}
void ICU(ucnv_setToUCallBack)(void) {}
void ICU(UCNV_FROM_U_CALLBACK_STOP)(void) {}
void ICU(UCNV_TO_U_CALLBACK_STOP)(void) {}
