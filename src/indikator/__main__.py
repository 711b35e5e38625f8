from .cli import run

if __name__ == "__main__":  # not when a second process (`parallel`) imports it
    run()
