from .cli import main

if __name__ == "__main__":  # not when a second process (`parallel`) imports it
    main()
