int digits_png_placeholder(void);
