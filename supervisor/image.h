/* `circuit9 image`: a CIRCUITPY folder to a drive image and back (image.c). */
#ifndef C9_SUPERVISOR_IMAGE_H
#define C9_SUPERVISOR_IMAGE_H

/* argv holds the arguments after "image"; returns the exit status. */
int image_command(int argc, char **argv);

#endif
