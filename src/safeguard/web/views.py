from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .forms import SignInForm
from .selectors import role_labels_for


@login_required
def home(request):
    return render(request, "web/home.html", {"role_labels": role_labels_for(request.user)})


class SignInView(auth_views.LoginView):
    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Signs out on POST only (Django refuses GET), so a link or an image cannot sign anyone out."""
